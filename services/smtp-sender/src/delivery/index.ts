export { SEND_ERROR_CLASSES, SEND_OUTCOME_KINDS, type SendErrorClass, type SendOutcomeKind } from './send-error-classes.constants';
export { parseSmtpReply, type SmtpReply } from './smtp-reply.util';
export { classifySendError, type ClassifiedSendError } from './classify-send-error.util';
export { recipientOutcome, type RecipientReport, type RecipientOutcome, type RejectedRecipient } from './recipient-outcome.util';
export { nextAttempt, DEFAULT_SEND_HORIZON_MS, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_DELAY_MS, type NextAttemptInput, type NextAttempt } from './next-attempt.util';
export { MAX_CLOCK_AHEAD_MS, assertTokenBucketShape, refillTokenBucket, takeToken, returnToken, type TokenBucket, type TokenBucketShape } from './rate-limiter';
