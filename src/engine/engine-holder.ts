// Holds the engine that serves checks, with the policy context built from the same bundle,
// and swaps both atomically: a check takes the current pair once and finishes on it, so a
// reload never drops a request or mixes two revisions within one.
import { AegisError } from "../errors/registry.ts";
import type { Engine } from "./engine.ts";

interface Slot<C> {
  readonly engine: Engine;
  readonly context: C;
  inFlight: number;
  retired: boolean;
}

export class EngineHolder<C = undefined> {
  #slot: Slot<C> | null = null;

  /** Runs `fn` on the current engine and context; throws AEGIS_ERR_NO_BUNDLE when none is loaded. */
  async use<R>(fn: (engine: Engine, context: C) => Promise<R>): Promise<R> {
    const slot = this.#slot;
    if (slot === null) throw new AegisError("AEGIS_ERR_NO_BUNDLE");
    slot.inFlight++;
    try {
      return await fn(slot.engine, slot.context);
    } finally {
      slot.inFlight--;
      if (slot.retired && slot.inFlight === 0) void slot.engine.close();
    }
  }

  /** Makes the pair current; the previous engine closes once its in-flight checks finish. */
  swap(engine: Engine, context: C): void {
    const previous = this.#slot;
    this.#slot = { engine, context, inFlight: 0, retired: false };
    if (previous !== null) {
      previous.retired = true;
      if (previous.inFlight === 0) void previous.engine.close();
    }
  }

  async close(): Promise<void> {
    const slot = this.#slot;
    this.#slot = null;
    if (slot !== null) await slot.engine.close();
  }
}
