/**
 * React hooks over the model's signals: a component re-renders when the piece of state it
 * reads changes, and only then.
 */
import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** `read()` now, and again each time `signal` is emitted (until the component unmounts). */
export function useSignalValue<T>(signal: ISignal<unknown, unknown>, read: () => T): T {
  const [value, setValue] = React.useState<T>(read);
  const readRef = React.useRef(read);
  readRef.current = read;
  React.useEffect(() => {
    const update = () => setValue(() => readRef.current());
    signal.connect(update);
    update(); // what changed between the first render and now
    return () => {
      signal.disconnect(update);
    };
  }, [signal]);
  return value;
}
