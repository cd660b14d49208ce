"use client";

import { useCallback, useState } from "react";

/**
 * Text inputs and selects of a form, controlled so that a rejected submission keeps what was typed.
 * `bind(field)` gives an input its name, value and onChange, and its id (`idPrefix` + field) when
 * `idPrefix` is given; `reset()` puts back the initial values (after a successful submission).
 */
export function useFieldValues<Values extends Record<string, string>>(initial: Values, idPrefix?: string) {
  const [values, setValues] = useState(initial);
  const bind = (field: keyof Values & string) => ({
    ...(idPrefix === undefined ? {} : { id: `${idPrefix}${field}` }),
    name: field,
    value: values[field],
    onChange: (event: { target: { value: string } }) => setValues((previous) => ({ ...previous, [field]: event.target.value })),
  });
  const reset = useCallback(() => setValues(initial), [initial]);
  return { values, setValues, bind, reset };
}
