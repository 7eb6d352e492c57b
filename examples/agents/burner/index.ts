/**
 * burner — an agent that keeps asking the model until it has `rounds` answers
 * (the goal is the number of rounds), spending tokens on every call. With a
 * small token budget the host suspends it mid-loop until the budget grows.
 */
import llm from 'agentos:runtime/llm@0.1.0';

export function run(goal: string): string {
  const rounds = Number(goal) || 3;
  let tokens = 0;
  const answers: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const completion = llm.complete({
      model: null,
      messages: [{ role: 'user', content: `round ${round}`, toolCalls: [], toolCallId: null }],
      tools: [],
      maxTokens: null,
      temperature: null,
    });
    tokens += completion.usage.inputTokens + completion.usage.outputTokens;
    answers.push(completion.message.content);
  }
  return JSON.stringify({ rounds, tokens, answers });
}

export function handleMessage(): string | null {
  return null;
}
