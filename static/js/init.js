// Start GOV.UK Frontend.
//
// Loaded from base.html as <script type="module">, so it only runs in
// browsers that support ES modules – the same test GOV.UK's template does
// with an inline script, which our Content-Security-Policy does not allow.
// Module scripts are deferred, so <body> exists by the time this runs.
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
