// The web app's entry point (README, "Web app").
import { App } from './app.js';
import { html, render } from './html.js';

render(html`<${App} />`, document.getElementById('app'));
