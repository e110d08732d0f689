/**
 * What jsdom lacks and Lumino needs at import time (JupyterLab's own test setup does the
 * same). Only under jsdom: the data-layer tests run in plain node.
 */
if (typeof window !== 'undefined' && typeof (window as any).DragEvent === 'undefined') {
  (window as any).DragEvent = class DragEvent extends MouseEvent {};
}
