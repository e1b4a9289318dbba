/**
 * Table storage caps a string property at 64 KiB (32K UTF-16 characters), so JSON is stored in
 * numbered properties json0, json1 … An entity holds 1 MiB, which bounds a value at about 1M characters.
 */
const CHUNK = 30_000;

export function toChunks(value: unknown): Record<string, string> {
  const text = JSON.stringify(value);
  const props: Record<string, string> = {};
  for (let i = 0; i * CHUNK < text.length; i++) props[`json${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  return props;
}

export function fromChunks(entity: Record<string, unknown>): unknown {
  let text = '';
  for (let i = 0; typeof entity[`json${i}`] === 'string'; i++) text += entity[`json${i}`] as string;
  return JSON.parse(text);
}
