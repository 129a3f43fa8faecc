/** Pure board logic: grouping, sums, and optimistic stage moves with rollback. */
export interface BoardCard {
  id: string;
  stage: string;
  amount: number;
  currency: string;
  [k: string]: unknown;
}

export interface BoardState<C extends BoardCard = BoardCard> {
  cards: C[];
  /** id → stage the card had before an unconfirmed move */
  pending: Record<string, string>;
}

export type BoardAction<C extends BoardCard = BoardCard> =
  | { type: 'load'; cards: C[] }
  | { type: 'move'; id: string; to: string }
  | { type: 'confirm'; id: string; card?: Partial<C> }
  | { type: 'rollback'; id: string };

export function boardReducer<C extends BoardCard>(
  state: BoardState<C>,
  action: BoardAction<C>,
): BoardState<C> {
  switch (action.type) {
    case 'load': {
      // Keep optimistic stages of cards still in flight.
      const cards = action.cards.map((c) =>
        state.pending[c.id] !== undefined
          ? { ...c, stage: state.cards.find((x) => x.id === c.id)?.stage ?? c.stage }
          : c,
      );
      return { cards, pending: state.pending };
    }
    case 'move': {
      const card = state.cards.find((c) => c.id === action.id);
      if (!card || card.stage === action.to) return state;
      const pending = { ...state.pending };
      if (pending[action.id] === undefined) pending[action.id] = card.stage;
      return {
        cards: state.cards.map((c) => (c.id === action.id ? { ...c, stage: action.to } : c)),
        pending,
      };
    }
    case 'confirm': {
      if (state.pending[action.id] === undefined && !action.card) return state;
      const { [action.id]: _done, ...pending } = state.pending;
      const cards = action.card
        ? state.cards.map((c) => (c.id === action.id ? { ...c, ...action.card } : c))
        : state.cards;
      return { cards, pending };
    }
    case 'rollback': {
      const prev = state.pending[action.id];
      if (prev === undefined) return state;
      const { [action.id]: _gone, ...pending } = state.pending;
      return { cards: state.cards.map((c) => (c.id === action.id ? { ...c, stage: prev } : c)), pending };
    }
  }
}

export function groupByStage<C extends BoardCard>(
  cards: readonly C[],
  stageKeys: readonly string[],
): Record<string, C[]> {
  const out: Record<string, C[]> = Object.fromEntries(stageKeys.map((k) => [k, [] as C[]]));
  for (const c of cards) {
    if (!out[c.stage]) out[c.stage] = [];
    out[c.stage]!.push(c);
  }
  return out;
}

/** Sum of amounts per currency, largest first. */
export function sumByCurrency(cards: readonly BoardCard[]): { currency: string; amount: number }[] {
  const m = new Map<string, number>();
  for (const c of cards) m.set(c.currency, (m.get(c.currency) ?? 0) + (Number(c.amount) || 0));
  return [...m.entries()]
    .map(([currency, amount]) => ({ currency, amount }))
    .sort((a, b) => b.amount - a.amount);
}
