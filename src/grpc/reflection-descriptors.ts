// File descriptors that a reflection client (grpcurl) can link on its own. proto-loader's
// descriptors come from protobufjs, which writes type names relative to their scope
// ("type.v3.HttpStatus"), names map-entry types after the field as written ("Filter_metadata")
// and lists no imports: a strict linker then cannot resolve envoy.type.v3.HttpStatus from the
// file that uses it. Here every type reference becomes fully qualified, every map entry gets
// the name protoc gives it (FilterMetadataEntry), and each file lists the files it references.
import type { PackageDefinition } from "@grpc/proto-loader";
import descriptor from "protobufjs/ext/descriptor/index.js";

interface FieldProto { name: string; typeName?: string }
interface MessageProto { name: string; field?: FieldProto[]; nestedType?: MessageProto[]; enumType?: { name: string }[]; options?: { mapEntry?: boolean } }
interface MethodProto { inputType?: string; outputType?: string }
interface FileProto {
  name: string;
  package?: string;
  dependency?: string[];
  messageType?: MessageProto[];
  enumType?: { name: string }[];
  service?: { method?: MethodProto[] }[];
}

const FileDescriptorProto = (descriptor as unknown as {
  FileDescriptorProto: { decode(bytes: Uint8Array): unknown; toObject(message: unknown, options: object): FileProto; fromObject(object: FileProto): unknown; encode(message: unknown): { finish(): Uint8Array } };
}).FileDescriptorProto;

/** The same definition, every entry carrying the complete, linkable set of files. */
export function linkableForReflection(definition: PackageDefinition): PackageDefinition {
  const files = uniqueFiles(definition);
  const owners = new Map<string, string>();
  for (const file of files) indexTypes(file, owners);
  for (const file of files) qualify(file, owners);
  const encoded = files.map((file) => Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish()));
  return Object.fromEntries(Object.entries(definition).map(([name, entry]) => [name, "fileDescriptorProtos" in entry ? { ...entry, fileDescriptorProtos: encoded } : entry])) as PackageDefinition;
}

function uniqueFiles(definition: PackageDefinition): FileProto[] {
  const byName = new Map<string, FileProto>();
  for (const entry of Object.values(definition)) {
    if (!("fileDescriptorProtos" in entry)) continue;
    for (const bytes of entry.fileDescriptorProtos as Uint8Array[]) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { arrays: true, enums: Number, longs: String });
      if (!byName.has(file.name)) byName.set(file.name, file);
    }
  }
  return [...byName.values()];
}

function packagePrefix(file: FileProto): string {
  return file.package ? `.${file.package}` : "";
}

/** Renames map entries the protoc way first, so the index holds the names clients will see. */
function indexTypes(file: FileProto, owners: Map<string, string>): void {
  const visit = (messages: MessageProto[] | undefined, scope: string) => {
    for (const message of messages ?? []) {
      const full = `${scope}.${message.name}`;
      renameMapEntries(message);
      owners.set(full, file.name);
      for (const e of message.enumType ?? []) owners.set(`${full}.${e.name}`, file.name);
      visit(message.nestedType, full);
    }
  };
  for (const e of file.enumType ?? []) owners.set(`${packagePrefix(file)}.${e.name}`, file.name);
  visit(file.messageType, packagePrefix(file));
}

function renameMapEntries(message: MessageProto): void {
  for (const nested of message.nestedType ?? []) {
    if (nested.options?.mapEntry !== true) continue;
    const field = message.field?.find((f) => f.typeName === nested.name);
    if (field === undefined) continue;
    nested.name = `${camelCase(field.name)}Entry`;
    field.typeName = nested.name;
  }
}

/** protoc's map-entry name: foo_bar → FooBar. */
function camelCase(fieldName: string): string {
  return fieldName.split("_").map((part) => (part === "" ? "" : part[0]!.toUpperCase() + part.slice(1))).join("");
}

function qualify(file: FileProto, owners: Map<string, string>): void {
  const used = new Set<string>();
  const resolveIn = (scope: string, name: string): string => {
    if (name.startsWith(".")) return name;
    // The protobuf scoping rule: the innermost enclosing scope that defines the name wins.
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf(".")))) {
      const candidate = `${s}.${name}`;
      const owner = owners.get(candidate);
      if (owner !== undefined) {
        if (owner !== file.name) used.add(owner);
        return candidate;
      }
      if (s === "") throw new Error(`reflection descriptors: ${file.name}: cannot resolve type ${name} from ${scope || "the root"}`);
    }
  };
  const visit = (messages: MessageProto[] | undefined, scope: string) => {
    for (const message of messages ?? []) {
      const full = `${scope}.${message.name}`;
      for (const field of message.field ?? []) if (field.typeName) field.typeName = resolveIn(full, field.typeName);
      visit(message.nestedType, full);
    }
  };
  visit(file.messageType, packagePrefix(file));
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      if (method.inputType) method.inputType = resolveIn(packagePrefix(file), method.inputType);
      if (method.outputType) method.outputType = resolveIn(packagePrefix(file), method.outputType);
    }
  }
  // Absolute references to other files count as imports too.
  const absolute = (messages: MessageProto[] | undefined) => {
    for (const message of messages ?? []) {
      for (const field of message.field ?? []) {
        const owner = field.typeName === undefined ? undefined : owners.get(field.typeName);
        if (owner !== undefined && owner !== file.name) used.add(owner);
      }
      absolute(message.nestedType);
    }
  };
  absolute(file.messageType);
  file.dependency = [...used].sort();
}
