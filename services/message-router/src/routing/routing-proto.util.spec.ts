import { describe, expect, it } from 'vitest';
import { FolderRole, RoutingRule, UserFolder } from '@mailbus/contracts';
import { fromFolderRoleProto, toRoutingRuleProto, toUserFolderProto } from './routing-proto.util';

describe(toRoutingRuleProto.name, () => {
  it.each([
    ['recipient-address', RoutingRule.RECIPIENT_ADDRESS],
    ['envelope-recipient', RoutingRule.ENVELOPE_RECIPIENT],
    ['group', RoutingRule.GROUP],
    ['sender-address', RoutingRule.SENDER_ADDRESS],
    ['account-owner', RoutingRule.ACCOUNT_OWNER],
    ['unassigned', RoutingRule.UNASSIGNED],
  ] as const)('should map %s', (rule, expected) => {
    expect(toRoutingRuleProto(rule)).toBe(expected);
  });
});

describe(toUserFolderProto.name, () => {
  it.each([
    ['inbox', UserFolder.INBOX],
    ['spam', UserFolder.SPAM],
    ['sent', UserFolder.SENT],
    ['trash', UserFolder.TRASH],
    ['unassigned', UserFolder.UNASSIGNED],
  ] as const)('should map %s', (folder, expected) => {
    expect(toUserFolderProto(folder)).toBe(expected);
  });
});

describe(fromFolderRoleProto.name, () => {
  it.each([
    [FolderRole.INBOX, 'inbox'],
    [FolderRole.SENT, 'sent'],
    [FolderRole.JUNK, 'junk'],
    [FolderRole.OTHER, 'other'],
    [FolderRole.UNSPECIFIED, 'other'],
    [99 as FolderRole, 'other'],
  ] as const)('should map %s to %s', (role, expected) => {
    expect(fromFolderRoleProto(role)).toBe(expected);
  });
});
