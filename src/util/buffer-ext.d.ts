// Node's Buffer has fast latin1 codecs that its public typings omit; we use them on the hot path.
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(text: string, offset: number, length?: number): number;
  }
}
export {};
