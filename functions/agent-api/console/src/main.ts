import { App } from './app';

// The console's single entry (bundled to app.js): never a blank page, even on a bug.
const root = document.getElementById('app') ?? document.body;
new App(root).boot().catch((error: unknown) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.className = 'form-error';
  p.textContent = `The console failed to start: ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(p);
});
