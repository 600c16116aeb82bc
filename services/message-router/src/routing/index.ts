export { routeMessage, ownersOrUnassigned } from './route-message.util';
export type { Delivery, FolderRoleName, HeaderLine, MailAddress, RecipientDirectory, RecipientOwner, RoutingAccount, RoutingInput, RoutingRuleName, UserFolderName } from './routing.types';
export { MAX_LOOKUP_ADDRESSES } from './routing.constants';
export { extractEnvelopeRecipients, AUTO_ENVELOPE_HEADERS, type EnvelopeHeaderName, type EnvelopeRecipients } from './envelope-recipients.util';
export { recipientLookupKeys, type LookupKey, type MatchKind } from './recipient-keys.util';
export { fromFolderRoleProto, toRoutingRuleProto, toUserFolderProto } from './routing-proto.util';
