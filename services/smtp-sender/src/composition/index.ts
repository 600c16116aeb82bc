export { composeMessage, buildEnvelope, applySignatures, toMessageId } from './compose-message.util';
export { applyTextSignature, applyHtmlSignature, textSignatureToHtml, htmlSignatureToText } from './signature.util';
export { TEXT_SIGNATURE_SEPARATOR, HTML_SIGNATURE_ATTRIBUTE } from './composition.constants';
export type { AccountSignature, ComposeAddress, ComposeAttachment, ComposeInput, ComposedEnvelope, ComposedMessage } from './composition.types';
