// What every page reads: the as-of date, the period and who is signed in.

export interface Viewer {
  name: string;
  role: string;
  orgCode: string;
  seesPersonalData: boolean;
  changeEvents: string[];
  orgUnit: { code: string; name: string } | null;
}

export interface Period {
  from: string;
  to: string;
  asOf: string;
}

const PERIOD_KEY = "taiqu.period";

function iso(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** The last whole month: the demo's readings and a month's assessment both cover it. */
export function defaultPeriod(today: Date = new Date()): Period {
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 0));
  return { from: iso(first), to: iso(last), asOf: iso(last) };
}

export function period(): Period {
  const kept = sessionStorage.getItem(PERIOD_KEY);
  if (kept) {
    try {
      const found = JSON.parse(kept) as Period;
      if (found.from && found.to && found.asOf) return found;
    } catch {
      // a damaged value: fall back to the default
    }
  }
  return defaultPeriod();
}

export function setPeriod(value: Period): void {
  sessionStorage.setItem(PERIOD_KEY, JSON.stringify(value));
}

export const session: { viewer: Viewer | null } = { viewer: null };
