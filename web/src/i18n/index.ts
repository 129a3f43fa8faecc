import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Lang } from '../lib/format';
import { en } from './en';
import { zhCN } from './zh-CN';

export const LANG_KEY = 'zs.lang';
export const LANGS: { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
];

/** Stored choice first, then the browser's preference (zh* → zh-CN), else English. */
export function detectLang(stored: string | null, navigatorLangs: readonly string[]): Lang {
  if (stored === 'zh-CN' || stored === 'en') return stored;
  for (const l of navigatorLangs) {
    const low = l.toLowerCase();
    if (low.startsWith('zh')) return 'zh-CN';
    if (low.startsWith('en')) return 'en';
  }
  return 'en';
}

function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    /* storage disabled */
  }
  const nav =
    typeof navigator !== 'undefined'
      ? navigator.languages?.length
        ? navigator.languages
        : [navigator.language]
      : [];
  return detectLang(stored, nav);
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: initialLang(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

function applyHtmlLang(lng: string) {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}
applyHtmlLang(i18n.language);
i18n.on('languageChanged', applyHtmlLang);

export function setLang(lang: Lang) {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* ignore */
  }
  void i18n.changeLanguage(lang);
}

export function currentLang(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export default i18n;
