import { FolderRole, RoutingRule, UserFolder } from '@mailbus/contracts';
import type { FolderRoleName, RoutingRuleName, UserFolderName } from './routing.types';

const RULES: Record<RoutingRuleName, RoutingRule> = {
  'recipient-address': RoutingRule.RECIPIENT_ADDRESS,
  'envelope-recipient': RoutingRule.ENVELOPE_RECIPIENT,
  group: RoutingRule.GROUP,
  'sender-address': RoutingRule.SENDER_ADDRESS,
  'account-owner': RoutingRule.ACCOUNT_OWNER,
  unassigned: RoutingRule.UNASSIGNED,
};

const FOLDERS: Record<UserFolderName, UserFolder> = { inbox: UserFolder.INBOX, spam: UserFolder.SPAM, sent: UserFolder.SENT, trash: UserFolder.TRASH, unassigned: UserFolder.UNASSIGNED };

const FOLDER_ROLES: Record<FolderRole, FolderRoleName> = {
  [FolderRole.UNSPECIFIED]: 'other',
  [FolderRole.INBOX]: 'inbox',
  [FolderRole.SENT]: 'sent',
  [FolderRole.JUNK]: 'junk',
  [FolderRole.OTHER]: 'other',
};

/** @example toRoutingRuleProto('group') // RoutingRule.GROUP */
export const toRoutingRuleProto = (rule: RoutingRuleName): RoutingRule => RULES[rule];

/** @example toUserFolderProto('spam') // UserFolder.SPAM */
export const toUserFolderProto = (folder: UserFolderName): UserFolder => FOLDERS[folder];

/** The role of the server folder a message.fetched names; an unspecified role is routed like `other` (as the inbox). */
export const fromFolderRoleProto = (role: FolderRole): FolderRoleName => FOLDER_ROLES[role] ?? 'other';
