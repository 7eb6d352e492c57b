/**
 * researcher — a small agent for the `agent` world: asks the model what to do,
 * calls the tool the model picks, hands the tool's answer back to the model and
 * files the final answer in its workspace (kv). Used by the end-to-end suite
 * and the runtime benches.
 */
import clock from 'agentos:runtime/clock@0.1.0';
import kv from 'agentos:runtime/kv@0.1.0';
import llm from 'agentos:runtime/llm@0.1.0';
import log from 'agentos:runtime/log@0.1.0';
import tools from 'agentos:runtime/tools@0.1.0';
import { describeError, utf8 } from '../shared/text.ts';

interface ChatMessage {
  role: string;
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  toolCallId: string | null;
}

function message(role: string, content: string, toolCallId: string | null = null): ChatMessage {
  return { role, content, toolCalls: [], toolCallId };
}

export function run(goal: string): string {
  const started = clock.now();
  const offered = tools.listTools();
  const messages: ChatMessage[] = [message('system', 'You are a careful researcher.'), message('user', goal)];
  for (let turn = 0; turn < 4; turn++) {
    const completion = llm.complete({ model: null, messages, tools: offered, maxTokens: 256, temperature: null });
    messages.push(completion.message);
    if (completion.finishReason !== 'tool-calls') {
      const answer = completion.message.content;
      kv.set(`answers/${turn}`, utf8(answer));
      log.log('info', 'answered', [{ key: 'turns', value: String(turn + 1) }, { key: 'started', value: String(started) }]);
      return answer;
    }
    for (const call of completion.message.toolCalls) {
      let output: string;
      try {
        output = tools.call(call.name, call.arguments);
      } catch (error) {
        output = JSON.stringify({ error: describeError(error) });
      }
      messages.push(message('tool', output, call.id));
    }
  }
  throw { tag: 'failed', val: 'no answer after 4 turns' };
}

export function handleMessage(): string | null {
  return null;
}

