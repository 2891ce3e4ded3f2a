import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { AGENCY_FACING_AGGREGATES, DOMAIN_EVENTS_GLOB, EXTRA_EVENT_UNIONS } from './catalogue';

/** A JSON Schema (draft-07, the dialect AsyncAPI schemas extend). */
export type JsonSchema = { [key: string]: unknown };

export interface EventDoc {
  /** `lianban.<aggregate>.<name>.v<N>` */
  type: string;
  /** the JSDoc of the type's constant in its `…EventTypes` table, if any */
  summary: string | null;
  /** where the type was found, relative to the repository */
  file: string;
  /** an event of a case's own streams, so also sent to the agencies concerned */
  agencyFacing: boolean;
  /** the body as stored (before the relay removes personal data) */
  data: JsonSchema;
}

function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(DOMAIN_EVENTS_GLOB.suffix)) out.push(full);
    }
  };
  walk(path.join(root, DOMAIN_EVENTS_GLOB.dir));
  return out.sort();
}

class SchemaWriter {
  constructor(private readonly checker: ts.TypeChecker, private readonly at: ts.Node) {}

  schema(type: ts.Type, where: string): JsonSchema {
    const c = this.checker;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (type.flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (type.flags & ts.TypeFlags.Null) return { type: 'null' };
    if (type.isStringLiteral()) return { type: 'string', const: type.value };
    if (type.isNumberLiteral()) return { type: 'number', const: type.value };
    if (type.flags & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', const: c.typeToString(type) === 'true' };
    if (type.isUnion()) return this.union(type.types, where);
    if (c.isArrayType(type)) {
      const [item] = c.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: this.schema(item, `${where}[]`) };
    }
    if (c.isTupleType(type)) throw new Error(`${where}: tuples are not supported in event bodies (${c.typeToString(type)})`);
    if (type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) return this.object(type, where);
    throw new Error(`${where}: cannot describe ${c.typeToString(type)} in JSON Schema; use JSON types in event bodies`);
  }

  private union(members: ts.Type[], where: string): JsonSchema {
    const present = members.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const nullable = present.some((t) => t.flags & ts.TypeFlags.Null);
    const rest = present.filter((t) => !(t.flags & ts.TypeFlags.Null));
    const booleans = rest.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
    const others = rest.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
    const parts: JsonSchema[] = [];
    if (booleans.length === 2) parts.push({ type: 'boolean' });
    else for (const b of booleans) parts.push(this.schema(b, where));
    if (others.length > 0 && others.every((t) => t.isStringLiteral())) {
      parts.push({ type: 'string', enum: others.map((t) => (t as ts.StringLiteralType).value).sort() });
    } else if (others.length > 0 && others.every((t) => t.isNumberLiteral())) {
      parts.push({ type: 'number', enum: others.map((t) => (t as ts.NumberLiteralType).value).sort((a, b) => a - b) });
    } else {
      for (const t of others) parts.push(this.schema(t, where));
    }
    if (nullable) parts.push({ type: 'null' });
    if (parts.length === 1) return parts[0];
    // a nullable enum or primitive reads better as one schema with two types
    if (parts.length === 2 && nullable && typeof parts[0].type === 'string' && Object.keys(parts[0]).every((k) => k === 'type' || k === 'enum')) {
      const [p] = parts;
      return { type: [p.type, 'null'], ...(p.enum ? { enum: [...(p.enum as unknown[]), null] } : {}) };
    }
    return { anyOf: parts };
  }

  private object(type: ts.Type, where: string): JsonSchema {
    const c = this.checker;
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of c.getPropertiesOfType(type)) {
      const propType = c.getTypeOfSymbolAtLocation(prop, this.at);
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      const description = ts.displayPartsToString(prop.getDocumentationComment(c)).trim();
      const schema = this.schema(propType, `${where}.${prop.name}`);
      properties[prop.name] = description ? { description, ...schema } : schema;
      if (!optional) required.push(prop.name);
    }
    const out: JsonSchema = { type: 'object', properties };
    if (required.length > 0) out.required = required;
    const index = c.getIndexInfosOfType(type);
    if (index.length > 0) out.additionalProperties = this.schema(index[0].type, `${where}[key]`);
    return out;
  }
}

/** the JSDoc of each string constant of the `…EventTypes` tables, by its value */
function summaries(program: ts.Program, files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && ts.isStringLiteral(node.initializer) && /^lianban\./.test(node.initializer.text)) {
        const doc = ts.getJSDocCommentsAndTags(node)
          .map((d) => (ts.isJSDoc(d) ? ts.getTextOfJSDocComment(d.comment) ?? '' : ''))
          .join(' ')
          .trim();
        if (doc) out.set(node.initializer.text, doc);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/**
 * Every event type of the domain (and the declared extras), with the JSON Schema of its body
 * derived from the TypeScript type the writer uses. Fails on a body that JSON cannot carry.
 */
export function eventDocs(root: string): EventDoc[] {
  const domainFiles = sourceFiles(root);
  const extraFiles = EXTRA_EVENT_UNIONS.map((u) => path.join(root, u.file));
  const files = [...new Set([...domainFiles, ...extraFiles])];
  const base = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  const program = ts.createProgram(files, { ...options, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const docs = new Map<string, EventDoc>();
  const notes = summaries(program, domainFiles);

  const collect = (file: string, only?: string) => {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`${file} is not part of the program`);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) return;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      if (only ? exported.name !== only : !(exported.flags & ts.SymbolFlags.TypeAlias)) continue;
      const declaration = exported.declarations?.[0];
      if (!declaration) continue;
      const aliased = checker.getDeclaredTypeOfSymbol(exported);
      const members = aliased.isUnion() ? aliased.types : [aliased];
      for (const member of members) {
        const typeProp = member.getProperty('type');
        const dataProp = member.getProperty('data');
        if (!typeProp || !dataProp) continue;
        const typeType = checker.getTypeOfSymbolAtLocation(typeProp, declaration);
        if (!typeType.isStringLiteral() || !/^lianban\.[a-z-]+\.[a-z-]+\.v\d+$/.test(typeType.value)) continue;
        const type = typeType.value;
        if (docs.has(type)) continue;
        const writer = new SchemaWriter(checker, declaration);
        docs.set(type, {
          type,
          summary: notes.get(type) ?? null,
          file: path.relative(root, file),
          agencyFacing: AGENCY_FACING_AGGREGATES.includes(type.split('.')[1]),
          data: writer.schema(checker.getTypeOfSymbolAtLocation(dataProp, declaration), type),
        });
      }
    }
  };
  for (const file of domainFiles) collect(file);
  for (const extra of EXTRA_EVENT_UNIONS) collect(path.join(root, extra.file), extra.type);
  return [...docs.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
}

/** A copy of `schema` without the dotted `paths` (what the relay removes), also from `required`. */
export function withoutPaths(schema: JsonSchema, paths: readonly string[]): JsonSchema {
  const copy = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  for (const dotted of paths) {
    const parts = dotted.split('.');
    let node: JsonSchema | undefined = copy;
    for (const part of parts.slice(0, -1)) node = (node?.properties as Record<string, JsonSchema> | undefined)?.[part];
    const last = parts[parts.length - 1];
    const props = node?.properties as Record<string, JsonSchema> | undefined;
    if (!node || !props || !(last in props)) throw new Error(`redacted path ${dotted} is not in the schema: update REDACTED_PATHS`);
    delete props[last];
    if (Array.isArray(node.required)) {
      node.required = (node.required as string[]).filter((r) => r !== last);
      if ((node.required as string[]).length === 0) delete node.required;
    }
  }
  return copy;
}
