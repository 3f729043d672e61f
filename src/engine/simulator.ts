// The kernel: a clock, an event queue and cancellable timers. It knows nothing of KubeVirt.
import { EventHeap, type HeapEntry } from './heap.js';

export interface Timer extends HeapEntry {
  readonly label: string;
  cancelled: boolean;
  /** a background event (a random fault, a load step) does not keep the simulation running */
  readonly background: boolean;
  done: boolean;
  action: () => void;
}

export class Simulator {
  private heap = new EventHeap<Timer>();
  private seq = 0;
  private _now = 0;
  /** events executed so far (cancelled timers are not counted) */
  eventsProcessed = 0;
  /** scheduled, not yet run or cancelled, foreground events */
  private foreground = 0;

  get now(): number {
    return this._now;
  }

  /** Run `action` at absolute time `time` (never earlier than now). */
  at(time: number, action: () => void, label = '', background = false): Timer {
    if (!(time >= this._now)) {
      throw new Error(`cannot schedule "${label}" at ${time}: the clock is already at ${this._now}`);
    }
    const timer: Timer = { time, seq: this.seq++, label, cancelled: false, background, done: false, action };
    if (!background) this.foreground++;
    this.heap.push(timer);
    return timer;
  }

  /**
   * A place in the order of the events of one instant, taken now for a timer that is armed later
   * only if it turns out to be needed (`atReserved`): it then runs exactly where a timer created
   * now would have run, the queue's order being (time, seq) whenever the entry is pushed.
   */
  reserveSeq(): number {
    return this.seq++;
  }

  /** `at` in the place `reserveSeq` returned. */
  atReserved(seq: number, time: number, action: () => void, label: string): Timer {
    if (!(time >= this._now)) {
      throw new Error(`cannot schedule "${label}" at ${time}: the clock is already at ${this._now}`);
    }
    const timer: Timer = { time, seq, label, cancelled: false, background: false, done: false, action };
    this.foreground++;
    this.heap.push(timer);
    return timer;
  }

  /** Run `action` after `delay` seconds. */
  after(delay: number, action: () => void, label = ''): Timer {
    return this.at(this._now + Math.max(0, delay), action, label);
  }

  /** Cancelling is lazy: the entry stays in the heap and is skipped when it comes up. */
  cancel(timer: Timer | null | undefined): void {
    if (!timer || timer.cancelled || timer.done) return;
    timer.cancelled = true;
    // the entry stays queued until its instant: let go of what the action holds (a finished
    // migration's job, its monitor) so that it dies young
    timer.action = NOOP;
    if (!timer.background) this.foreground--;
  }

  /** True while any foreground event is pending: background events alone do not keep a run going. */
  get busy(): boolean {
    return this.foreground > 0;
  }

  /** Execute one event; false when none is left at or before `until`. */
  step(until = Infinity): boolean {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.time > until) return false;
      this.heap.pop();
      if (top.cancelled) continue;
      this._now = top.time;
      top.done = true;
      if (!top.background) this.foreground--;
      this.eventsProcessed++;
      const action = top.action;
      top.action = NOOP; // the timer may be kept (a job's last timer); its closure need not
      action();
      return true;
    }
  }

  /**
   * Run until no foreground event is left or the next event lies after `until`; the clock ends
   * at the last event run. Past `maxEvents` events the run is looping: the labels of the next
   * events say what loops, and the run stops with an EventBudgetExceeded error.
   */
  run(until = Infinity, maxEvents = Infinity): void {
    while (this.busy && this.eventsProcessed < maxEvents && this.step(until)) {
      /* keep stepping */
    }
    if (this.busy && this.eventsProcessed >= maxEvents) {
      const counts = new Map<string, number>();
      for (let i = 0; i < SAMPLED_EVENTS && this.busy; i++) {
        const top = this.peekLive();
        if (!top || top.time > until) break;
        counts.set(top.label, (counts.get(top.label) ?? 0) + 1);
        this.step(until);
      }
      throw new EventBudgetExceeded(maxEvents, this._now, counts);
    }
  }

  private peekLive(): Timer | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (!top.cancelled) return top;
      this.heap.pop();
    }
    return undefined;
  }
}

const NOOP = (): void => undefined;

/** How many events past the budget are looked at to tell what is looping. */
const SAMPLED_EVENTS = 10_000;

export class EventBudgetExceeded extends Error {
  constructor(
    readonly maxEvents: number,
    readonly at: number,
    /** label → how many of the events sampled past the budget carried it */
    readonly labels: ReadonlyMap<string, number>,
  ) {
    const total = [...labels.values()].reduce((a, b) => a + b, 0);
    const top = [...labels.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([label, n]) => `${label || '(unlabelled)'} ${Math.round((100 * n) / Math.max(1, total))} %`)
      .join(', ');
    super(`the run exceeded ${maxEvents.toLocaleString('en-US')} events at t=${at.toFixed(3)} s; the events after that were: ${top || 'none'}`);
    this.name = 'EventBudgetExceeded';
  }
}
