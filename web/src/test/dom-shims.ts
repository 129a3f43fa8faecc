import { cleanup } from '@testing-library/react';
import { afterEach, beforeAll } from 'vitest';

/**
 * What Mantine needs from a browser that jsdom lacks (matchMedia, ResizeObserver, scrollIntoView),
 * installed once per test file, and a DOM cleanup after every test.
 */
export function installDomShims(): void {
  beforeAll(() => {
    window.matchMedia ??= ((q: string) => ({
      matches: false,
      media: q,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    })) as unknown as typeof window.matchMedia;
    (globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
    Element.prototype.scrollIntoView ??= () => {};
  });
  afterEach(() => {
    cleanup();
  });
}
