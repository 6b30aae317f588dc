/** The agent API's JSON, as the console reads it (see the API's OpenAPI description). */

export interface CannedResponse {
  shortcut: string;
  title: string;
  /** BCP-47 tag → text. */
  text: Record<string, string>;
}

export interface BrandView {
  brandId: string;
  displayName: string;
  defaultLocale: string | null;
  locales: string[];
  cannedResponses?: CannedResponse[];
  /** Place ID → its name by locale, when the API gives them (shown instead of the bare ID). */
  places?: Record<string, { name?: Record<string, string> }>;
}

export interface AgentView {
  agentId: string;
  displayName: string;
  email: string;
  brandIds: string[];
}

export interface SessionView {
  agent: AgentView;
  auth: 'tokens' | 'iap';
  expiresAt: string | null;
  brands: BrandView[];
}

export interface Assignee {
  agentId: string;
  displayName: string;
  avatarUrl?: string;
}

export type ConversationState = 'bot' | 'queued' | 'with_agent' | 'closed';

export interface Origin {
  entryPoint?: string;
  placeId?: string;
  nearPlaceId?: string;
  resolvedLocale?: string;
  userDeviceLocale?: string;
  widgetUrl?: string;
}

export interface LastMessage {
  kind: string;
  text?: string;
  at: string;
}

export interface ConversationView {
  id: string;
  brandId: string;
  agent: string;
  state: ConversationState;
  assignee: Assignee | null;
  locale: string | null;
  customerName?: string | null;
  handoffReason?: string | null;
  origin?: Origin;
  lastMessage?: LastMessage | null;
  queuedAt: string | null;
  stateChangedAt: string | null;
  lastUserMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ContentInfo {
  fileUrl: string;
  altText?: string;
  thumbnailUrl?: string;
}

export interface Suggestion {
  reply?: { text: string; postbackData?: string };
  action?: {
    text: string;
    postbackData?: string;
    openUrlAction?: { url: string };
    dialAction?: { phoneNumber: string };
  };
  liveAgentRequest?: object;
  authenticationRequest?: object;
}

export interface CardContent {
  title?: string;
  description?: string;
  media?: { height?: string; contentInfo: ContentInfo };
  suggestions?: Suggestion[];
}

export interface RichCard {
  standaloneCard?: { cardContent: CardContent };
  carouselCard?: { cardWidth?: 'SMALL' | 'MEDIUM'; cardContents: CardContent[] };
}

export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | 'EXPIRED';

export interface InboundMessageView {
  direction: 'inbound';
  key: string;
  kind: string;
  at: string;
  messageId?: string;
  text?: string;
  imageUrl?: string;
  postbackData?: string;
}

export interface OutboundMessageView {
  direction: 'outbound';
  key: string;
  kind?: string;
  at: string;
  status: DeliveryStatus;
  representativeType?: 'BOT' | 'HUMAN';
  representativeName?: string;
  eventType?: string;
  queueNotice?: boolean;
  text?: string;
  image?: { contentInfo: ContentInfo };
  richCard?: RichCard;
  suggestions?: Suggestion[];
  /** Console only: sent from this page, not yet in the server's log. */
  pending?: boolean;
}

export type MessageView = InboundMessageView | OutboundMessageView;

export interface ConversationDetail {
  conversation: ConversationView;
  messages: MessageView[];
}

/** `customer.message` on the event stream. */
export interface CustomerMessageEvent {
  key: string;
  conversationId: string;
  brandId: string;
  at: string;
  messageKind: string;
  messageId?: string;
  text?: string;
  imageUrl?: string;
  postbackData?: string;
}

/** `customer.typing` on the event stream. */
export interface CustomerTypingEvent {
  key: string;
  conversationId: string;
  brandId: string;
  at: string;
  isTyping: boolean;
}
