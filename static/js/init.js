// Start GOV.UK Frontend.
//
// Loaded from base.html as <script type="module">, so it only runs in
// browsers that support ES modules – the same test GOV.UK's template does
// with an inline script, which our Content-Security-Policy does not allow.
// Module scripts are deferred, so <body> exists by the time this runs.
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()

// Print buttons (hidden by CSS until this runs): the browser's own print window.
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.addEventListener('click', () => window.print())
}

// Filter panels are <details>, closed so a phone shows results first; on a
// desktop, where the panel sits beside the results, open them.
if (window.matchMedia('(min-width: 48.0625em)').matches) {
  for (const panel of document.querySelectorAll('[data-app-filter-panel]')) {
    panel.open = true
  }
}
