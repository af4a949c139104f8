// Holds the engine that serves checks and swaps it atomically: a check takes the
// current engine once and finishes on it, so a reload never drops or mixes a request.
import { AegisError } from "../errors/registry.ts";
import type { PolicyInput } from "../input/types.ts";
import type { Engine } from "./engine.ts";

interface Slot {
  readonly engine: Engine;
  inFlight: number;
  retired: boolean;
}

export interface Evaluation {
  readonly value: unknown;
  readonly revision: string;
}

export class EngineHolder {
  #slot: Slot | null = null;

  get current(): Engine | null {
    return this.#slot?.engine ?? null;
  }

  async evaluate(input: PolicyInput): Promise<Evaluation> {
    const slot = this.#slot;
    if (slot === null) throw new AegisError("AEGIS_ERR_NO_BUNDLE");
    slot.inFlight++;
    try {
      return { value: await slot.engine.evaluate(input), revision: slot.engine.revision };
    } finally {
      slot.inFlight--;
      if (slot.retired && slot.inFlight === 0) void slot.engine.close();
    }
  }

  /** Makes `engine` current; the previous one closes once its in-flight checks finish. */
  swap(engine: Engine): void {
    const previous = this.#slot;
    this.#slot = { engine, inFlight: 0, retired: false };
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
