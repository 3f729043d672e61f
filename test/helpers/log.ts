import type { LogEvent } from '../../src/log/events.js';

/** Events of one type, narrowed. */
export function eventsOf<T extends LogEvent['type']>(events: readonly LogEvent[], type: T): Extract<LogEvent, { type: T }>[] {
  return events.filter((e): e is Extract<LogEvent, { type: T }> => e.type === type);
}
