import type { UserView } from '@mailbus/contracts';
import type { UserDocument } from '@mailbus/directory';

export const toUserView = (user: UserDocument): UserView => ({
  id: user._id,
  displayName: user.displayName,
  addresses: user.addresses,
  ...(user.defaultFrom ? { defaultFrom: user.defaultFrom } : {}),
  active: user.active,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});
