export { selectSenderAccount, orderAccounts } from './select-sender-account.util';
export type {
  HeaderAddress,
  SelectSenderInput,
  SenderAccount,
  SenderRefusalCode,
  SenderRefused,
  SenderRequest,
  SenderRule,
  SenderSelected,
  SenderSelection,
  SenderUser,
} from './sender-selection.types';
