/**
 * The launch dialog: one form listing the missing slots of a project, each with
 * "new value" / "use an existing secret" / "skip", saved all at once (`launchForm.tsx`).
 *
 * It is its own small modal (with JupyterLab's dialog styles) rather than an apputils
 * `Dialog`, whose buttons always close it: here a failed slot keeps the dialog open with
 * its error, while the slots that were saved are marked so. This widget holds the modal's
 * part: attach, focus trap, Escape, and the promise of the result.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import type { IProject, ISlot } from '../apiTypes';
import { ITrans } from '../format';
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

  /** Close the dialog with a result. */
  finish(result: ILaunchResult): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(result);
    this.dispose();
    this._previousFocus?.focus?.();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('keydown', this._onKeydown);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('keydown', this._onKeydown);
    super.onBeforeDetach(msg);
  }

  render(): JSX.Element {
    return (
      <LaunchForm
        {...this._options}
        onClose={(result: ILaunchResult) => this.finish(result)}
        registerEscape={handler => {
          this._escape = handler;
        }}
      />
    );
  }

  private _onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this._escape?.();
    } else if (event.key === 'Tab') {
      // Keep the focus inside the dialog.
      const focusable = Array.from(
        this.node.querySelectorAll<HTMLElement>(
          'input:not([disabled]), select:not([disabled]), button:not([disabled])'
        )
      );
      if (!focusable.length) {
        return;
      }
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  private _options: ILaunchDialogOptions;
  private _done = new PromiseDelegate<ILaunchResult>();
  private _escape: (() => void) | null = null;
  private _previousFocus: HTMLElement | null = null;
}
