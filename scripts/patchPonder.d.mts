export declare const MARKER: string;
/** The patched text of ponder/dist/esm/utils/queue.js, the same text if patched already, or null. */
export declare function patchQueueSource(source: string): string | null;
