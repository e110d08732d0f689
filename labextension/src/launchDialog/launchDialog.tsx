/**
 * The launch dialog: one form listing the missing slots of a project, each with
 * "new value" / "use an existing secret" / "skip", saved all at once (`launchForm.tsx`).
 *
 * It is its own small modal (with JupyterLab's dialog styles) rather than an apputils
 * `Dialog`, whose buttons always close it: here a failed slot keeps the dialog open with
 * its error, while the slots that were saved are marked so. This widget holds the modal's
 * part, as the WAI-ARIA dialog pattern and JupyterLab's `Dialog` do: initial focus on the
 * first field, focus kept inside (Tab and Shift+Tab wrap, and focus taken elsewhere — by
 * JupyterLab restoring its layout at launch — comes back), Escape is "Later", Enter is
 * "Save" (Ctrl/Cmd+Enter from a multi-line field), and the focus returns to the opener.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { IProject, ISlot } from '../apiTypes';
import { ITrans } from '../format';
import { ILaunchActions, ModalFocus } from '../focus';
import { ISecretsModel } from '../tokens';
import { LaunchForm } from './launchForm';

/** How the dialog was closed. */
export interface ILaunchResult {
  /** Slots saved. */
  saved: number;
  /** Slots left without a value (skipped, or the dialog closed with "Later"). */
  skipped: number;
  /** "Don't ask at launch" was ticked. */
  dontAsk: boolean;
}

export interface ILaunchDialogOptions {
  project: IProject;
  slots: ISlot[];
  model: ISecretsModel;
  trans: ITrans;
}

export class LaunchDialog extends ReactWidget {
  constructor(options: ILaunchDialogOptions) {
    super();
    this._options = options;
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-secrets-LaunchDialog');
    this.node.dataset.testid = 'launch-dialog';
  }

  /** Show the dialog; resolves when it closes. */
  launch(): Promise<ILaunchResult> {
    this._previousFocus = document.activeElement as HTMLElement | null;
    Widget.attach(this, document.body);
    return this._done.promise;
  }

  /** Close the dialog with a result; the focus goes back to where it was. */
  finish(result: ILaunchResult): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(result);
    this.dispose();
    const previous = this._previousFocus;
    if (previous && previous !== document.body && previous.isConnected) {
      previous.focus();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._focus.attach();
  }

  protected onBeforeDetach(msg: Message): void {
    this._focus.detach();
    super.onBeforeDetach(msg);
  }

  render(): JSX.Element {
    return (
      <LaunchForm
        {...this._options}
        onClose={(result: ILaunchResult) => this.finish(result)}
        onMounted={() => this.focusInitial()}
        registerActions={actions => {
          this._actions = actions;
        }}
      />
    );
  }

  /** Focus the first field (the first slot's value), else the first button. */
  focusInitial(): void {
    this._focus.focusInitial();
  }

  private _options: ILaunchDialogOptions;
  private _done = new PromiseDelegate<ILaunchResult>();
  private _actions: ILaunchActions | null = null;
  private _previousFocus: HTMLElement | null = null;
  private _focus = new ModalFocus(this.node, {
    escape: () => this._actions?.later(),
    enter: () => this._actions?.save()
  });
}
