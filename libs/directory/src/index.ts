export { DirectoryCollections, findAccount } from './directory.collections';
export {
  addressClaimId,
  secretContext,
  type UserDocument,
  type GroupDocument,
  type AddressClaimDocument,
  type AddressNamespace,
  type SealedSecret,
  type StoredReceiveSettings,
  type StoredSendSettings,
  type AccountChangeKind,
  type AccountDocument,
} from './directory.documents';
export { accountServerSettings } from './account-server-settings.util';
