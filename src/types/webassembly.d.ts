// The subset of the WebAssembly JS API Aegis uses. @types/node does not declare it and
// pulling in lib.dom for it would add browser globals to the whole project.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface WebAssemblyInstantiatedSource {
    instance: Instance;
    module: Module;
  }
}
