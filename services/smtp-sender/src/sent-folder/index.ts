export { APPEND_TO_SENT_SETTINGS, SELF_FILING_PROVIDER_DOMAINS, type AppendToSentSetting, type SelfFilingProvider } from './append-to-sent.constants';
export { appendToSentDecision, selfFilingProviderOf, type AppendToSentDecision } from './append-to-sent-decision.util';
export { findSentFolder, DEFAULT_SENT_FOLDER_NAME, KNOWN_SENT_FOLDER_NAMES, type ListedFolder } from './find-sent-folder.util';
