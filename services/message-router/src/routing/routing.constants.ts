/**
 * At most this many distinct recipient addresses are looked up per message, in one directory call:
 * a mail to 50,000 recipients costs the same as one to 1,000. Recipients past the cap are not routed
 * (when none of the first 1,000 matches, the account's owners get the message).
 */
export const MAX_LOOKUP_ADDRESSES = 1_000;
