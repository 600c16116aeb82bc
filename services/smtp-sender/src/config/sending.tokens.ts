/** Nest injection tokens for what smtp-sender's config hands to its providers. */
export const SENDER_SECRET_BOX = Symbol('SENDER_SECRET_BOX');
export const SENDING_SETTINGS = Symbol('SENDING_SETTINGS');
