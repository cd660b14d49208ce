import { type FormEvent, startTransition } from "react";

/**
 * An onSubmit handler that runs a form action without React's automatic form reset. React resets a
 * `<form action={fn}>` after every submission; a controlled `<select>` then shows its first option while
 * its state keeps the chosen one, so the next save would store a value the person never picked, and a
 * rejected save would lose what was typed. The submitter (the button pressed) is part of the data, as
 * with a native submission.
 */
export function submitWithoutReset(action: (data: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => action(data));
  };
}
