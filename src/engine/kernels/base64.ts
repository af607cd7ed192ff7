/** The bytes of a base64 string (the own WASM modules are committed as base64: wasmBinary.ts, wasmGemmBinary.ts). */
export function decodeBase64(base64: string): Uint8Array {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
