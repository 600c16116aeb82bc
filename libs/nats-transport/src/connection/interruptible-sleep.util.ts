/** A delay that a shutdown can cut short; `cancel()` resolves it at once. */
export interface InterruptibleSleep {
  done: Promise<void>;
  cancel(): void;
}

export function interruptibleSleep(ms: number): InterruptibleSleep {
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    wake = resolve;
    timer = setTimeout(resolve, ms);
  });
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      wake();
    },
  };
}
