// The print-friendly recovery codes page: a Print button (no inline script under our CSP).
document.addEventListener('DOMContentLoaded', function () {
  const button = document.getElementById('print-codes')
  if (button) button.addEventListener('click', function () { window.print() })
})
