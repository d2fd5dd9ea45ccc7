import { safeUrl } from './security/redact';
import { AnthropicTransport } from './transport/anthropic';
import { ChatCompletionsTransport } from './transport/chatCompletions';
import { FallbackTransport } from './transport/fallback';
import { ResponsesHttpTransport } from './transport/responsesHttp';
import { ResponsesSocketTransport } from './transport/responsesSocket';
import { RetryingTransport } from './transport/retry';
import { ModelTransport } from './transport/types';

export type Protocol = 'responses' | 'chat' | 'anthropic';

export interface Preset {
  id: string;
  label: string;
  protocol: Protocol;
  baseUrl: string;
  defaultModel: string;
  /** Accepts Predicted Outputs (`prediction`) on Chat Completions. */
  predictions: boolean;
  keyRequired: boolean;
  envKey?: string;
  /**
   * The provider's larger model for deep mode. With a key for this provider only (and no deep provider chosen),
   * deep mode uses it on the same connection settings rather than silently falling back to the demo model.
   */
  deepModel?: string;
}

/** The common providers, so a user picks "Cerebras" or "Ollama" rather than typing URLs. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'openai',
    label: 'OpenAI (Responses, warm WebSocket)',
    protocol: 'responses',
    baseUrl: 'https://api.openai.com/v1',
    defaultModel: 'gpt-5.1-codex-mini',
    deepModel: 'gpt-5.1-codex',
    predictions: false,
    keyRequired: true,
    envKey: 'OPENAI_API_KEY',
  },
  {
    id: 'openai-chat',
    label: 'OpenAI (Chat Completions, Predicted Outputs)',
    protocol: 'chat',
    baseUrl: 'https://api.openai.com/v1',
    defaultModel: 'gpt-4.1-mini',
    deepModel: 'gpt-4.1',
    predictions: true,
    keyRequired: true,
    envKey: 'OPENAI_API_KEY',
  },
  {
    id: 'cerebras',
    label: 'Cerebras',
    protocol: 'chat',
    baseUrl: 'https://api.cerebras.ai/v1',
    defaultModel: 'qwen-3-coder-480b',
    predictions: true,
    keyRequired: true,
    envKey: 'CEREBRAS_API_KEY',
  },
  {
    id: 'groq',
    label: 'Groq',
    protocol: 'chat',
    baseUrl: 'https://api.groq.com/openai/v1',
    defaultModel: 'openai/gpt-oss-120b',
    predictions: false,
    keyRequired: true,
    envKey: 'GROQ_API_KEY',
  },
  {
    id: 'ollama',
    label: 'Ollama (local)',
    protocol: 'chat',
    baseUrl: 'http://localhost:11434/v1',
    defaultModel: 'qwen2.5-coder:7b',
    predictions: false,
    keyRequired: false,
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp server (local)',
    protocol: 'chat',
    baseUrl: 'http://localhost:8080/v1',
    defaultModel: 'default',
    predictions: false,
    keyRequired: false,
  },
  {
    id: 'vllm',
    label: 'vLLM (local)',
    protocol: 'chat',
    baseUrl: 'http://localhost:8000/v1',
    defaultModel: 'default',
    predictions: false,
    keyRequired: false,
  },
  {
    id: 'lmstudio',
    label: 'LM Studio (local)',
    protocol: 'chat',
    baseUrl: 'http://localhost:1234/v1',
    defaultModel: 'default',
    predictions: false,
    keyRequired: false,
  },
  {
    id: 'anthropic',
    label: 'Anthropic (Messages)',
    protocol: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    defaultModel: 'claude-sonnet-4-5',
    predictions: false,
    keyRequired: true,
    envKey: 'ANTHROPIC_API_KEY',
  },
  {
    id: 'openai-compatible',
    label: 'Other OpenAI-compatible server (Chat Completions)',
    protocol: 'chat',
    baseUrl: '',
    defaultModel: 'default',
    predictions: false,
    keyRequired: false,
  },
];

export function preset(id: string): Preset {
  return PRESETS.find((p) => p.id === id) ?? PRESETS[0];
}

export interface ModelConfig {
  preset: Preset;
  baseUrl: string;
  model: string;
  apiKey?: string;
  predictions: boolean;
  /** Responses only: 'auto' = warm WebSocket with HTTP fallback. */
  wire: 'auto' | 'websocket' | 'http';
  /** The built-in demo model (no key): labels say so. */
  demo?: boolean;
  log?: (m: string) => void;
}

export interface Connection {
  transport: ModelTransport;
  /** The warm socket, when the wire has one (for the status bar and the tests). */
  socket?: ResponsesSocketTransport;
  fallback?: FallbackTransport;
  describe: string;
  /** The model id every request on this connection names (what the labels show). */
  model: string;
  /** The built-in demo model. */
  demo: boolean;
  preset: Preset;
}

/** Build the transport for a configuration. Nothing is sent until `connect()` on the socket, or a request. */
export function createConnection(c: ModelConfig): Connection {
  const conn: Connection = { ...wire(c), model: c.model, demo: !!c.demo, preset: c.preset };
  // Every wire: a request turned away as busy (429, 503, overloaded) is asked again after the server's pause.
  conn.transport = new RetryingTransport(conn.transport, {
    onRetry: (e, ms, n) => c.log?.(`${e.message} Retry ${n} in ${(ms / 1000).toFixed(1)} s.`),
  });
  return conn;
}

function wire(c: ModelConfig): Pick<Connection, 'transport' | 'socket' | 'fallback' | 'describe'> {
  const describe = `${c.preset.label} · ${c.model} · ${safeUrl(c.baseUrl)}`; // never the credentials of a URL
  switch (c.preset.protocol) {
    case 'responses': {
      if (c.wire === 'http')
        return {
          transport: new ResponsesHttpTransport({ baseUrl: c.baseUrl, apiKey: c.apiKey }),
          describe: describe + ' (HTTP)',
        };
      const socket = new ResponsesSocketTransport({ url: c.baseUrl, apiKey: c.apiKey, log: c.log });
      if (c.wire === 'websocket') return { transport: socket, socket, describe };
      const fallback = new FallbackTransport(
        socket,
        new ResponsesHttpTransport({ baseUrl: c.baseUrl, apiKey: c.apiKey }),
        { log: c.log },
      );
      return { transport: fallback, socket, fallback, describe };
    }
    case 'chat':
      return {
        transport: new ChatCompletionsTransport({ baseUrl: c.baseUrl, apiKey: c.apiKey, predictions: c.predictions }),
        describe,
      };
    case 'anthropic':
      return { transport: new AnthropicTransport({ baseUrl: c.baseUrl, apiKey: c.apiKey }), describe };
  }
}
