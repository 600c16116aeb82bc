/** Nest injection tokens for what spam-feedback's config hands to its providers. */
export const WRITEBACK_SECRET_BOX = Symbol('WRITEBACK_SECRET_BOX');
export const WRITEBACK_SETTINGS = Symbol('WRITEBACK_SETTINGS');
