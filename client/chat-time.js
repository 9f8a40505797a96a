// sheen chat: message times. A message's time shows relative to now ("now",
// "3 minutes ago", "yesterday"; a date after a week), with the full date and
// time as its tooltip, in a locale (the reader's by default). The labels are
// kept current by one timer per chat (refresh), never one per message.
// Pure: no DOM of its own.

const MINUTE = 60e3;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** After this a label is a date, which no longer changes. */
export const RELATIVE_FOR = 7 * DAY;
/** How often a chat refreshes its labels. */
export const TICK = 30e3;

const cache = new Map(); // locale + kind → Intl formatter

function formatter(locale, kind) {
  const key = `${locale ?? ""}\u0000${kind}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = make(locale, kind);
    } catch {
      f = make(undefined, kind); // a bad locale tag: the reader's
    }
    cache.set(key, f);
  }
  return f;
}

function make(locale, kind) {
  switch (kind) {
    case "rel":
      return new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "long" });
    case "date":
      return new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    default:
      return new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" });
  }
}

/** Whether t is a usable time: ms since the epoch, after 2000. */
export const validTime = (t) => Number.isFinite(t) && t > 946684800000 && t < 8.64e15;

/**
 * The label of a message written at ms, seen at now (both ms since the
 * epoch). A time a little in the future (a clock ahead) is "now".
 */
export function relativeTime(ms, now, locale) {
  const ago = Math.max(0, now - ms);
  if (ago >= RELATIVE_FOR) return formatter(locale, "date").format(ms);
  const rel = formatter(locale, "rel");
  if (ago < 45e3) return rel.format(0, "second");
  if (ago < HOUR) return rel.format(-Math.max(1, Math.round(ago / MINUTE)), "minute");
  if (ago < DAY) return rel.format(-Math.round(ago / HOUR), "hour");
  return rel.format(-Math.round(ago / DAY), "day");
}

/** The full date and time of ms, for the label's tooltip. */
export function fullTime(ms, locale) {
  return formatter(locale, "full").format(ms);
}

/**
 * Bring the labels of els up to date at now. Each el is a <time> with
 * dataset.ms; a label changes only when its text does. Labels older than
 * RELATIVE_FOR are dates and are skipped. Returns how many changed.
 */
export function refresh(els, now, locale) {
  let n = 0;
  for (const el of els) {
    const ms = Number(el.dataset.ms);
    if (!validTime(ms) || now - ms > RELATIVE_FOR + DAY) continue;
    const label = relativeTime(ms, now, locale);
    if (el.textContent !== label) {
      el.textContent = label;
      n++;
    }
  }
  return n;
}
