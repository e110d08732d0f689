/**
 * A stand-in of `@jupyterlab/apputils` for the component tests (jest's moduleNameMapper):
 * notifications and dialogs are recorded, never shown.
 */
export const Notification = {
  info: jest.fn(),
  success: jest.fn(),
  warning: jest.fn(),
  error: jest.fn()
};

/** What the next `showDialog` answers (accept by default). */
export const dialogAnswer = { accept: true };

export const showDialog = jest.fn(async () => ({ button: { accept: dialogAnswer.accept } }));

export const Dialog = {
  cancelButton: (options: { label: string }) => ({ ...options, accept: false }),
  warnButton: (options: { label: string }) => ({ ...options, accept: true })
};

export class ToolbarButton {
  constructor(readonly options: unknown) {}
}
