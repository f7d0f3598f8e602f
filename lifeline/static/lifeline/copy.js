// Copy buttons for commands and configuration snippets (no inline script under our CSP).
//
// Markup: <pre class="code-block" id="X">…</pre>
//         <button type="button" class="copy-button" data-copy="X" hidden>Copy …</button>
// Without JavaScript the buttons stay hidden and the text can be selected as usual. With it,
// a button copies its block's text and says "Copied" (also announced to screen readers).
(function () {
  'use strict'

  function announcer () {
    let region = document.getElementById('copy-status')
    if (!region) {
      region = document.createElement('p')
      region.id = 'copy-status'
      region.className = 'visually-hidden'
      region.setAttribute('role', 'status')
      ;(document.querySelector('main') || document.body).appendChild(region)
    }
    return region
  }

  function fallbackCopy (text) {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'visually-hidden'
    document.body.appendChild(area)
    area.select()
    let ok = false
    try { ok = document.execCommand('copy') } catch (e) { ok = false }
    area.remove()
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'))
  }

  function copy (text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text) })
    }
    return fallbackCopy(text)
  }

  function setUp (button) {
    const source = document.getElementById(button.dataset.copy)
    if (!source) return
    const label = button.querySelector('.copy-label') || button
    const idle = label.textContent
    let timer = null
    button.hidden = false
    button.addEventListener('click', function () {
      copy(source.textContent.trim()).then(function () {
        label.textContent = 'Copied'
        announcer().textContent = 'Copied to the clipboard.'
      }, function () {
        label.textContent = 'Select and copy'
        announcer().textContent = 'Copying failed: select the text and copy it.'
      }).then(function () {
        clearTimeout(timer)
        timer = setTimeout(function () {
          label.textContent = idle
          announcer().textContent = ''
        }, 2500)
      })
    })
  }

  function init () {
    document.querySelectorAll('button[data-copy]').forEach(setUp)
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init)
  else init()
})()
