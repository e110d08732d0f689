/**
 * A stand-in of `@jupyterlab/ui-components` for the component tests (jest's
 * moduleNameMapper): the real `Button` markup, icons as nothing, widgets as empty classes.
 */
import * as React from 'react';

export function Button(
  props: React.ButtonHTMLAttributes<HTMLButtonElement> & { minimal?: boolean; small?: boolean }
): JSX.Element {
  const { minimal, small, className, ...others } = props;
  void minimal;
  void small;
  return <button {...others} className={`${className ?? ''} jp-Button`} />;
}

class Icon {
  constructor(readonly options: unknown = {}) {}
  react = (): null => null;
}

export const LabIcon = Icon;
export const errorIcon = new Icon();
export const refreshIcon = new Icon();
export const editIcon = new Icon();
export const deleteIcon = new Icon();

export class ReactWidget {}
export class SidePanel {}
