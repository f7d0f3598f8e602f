// Appended to axe's source and a `domChecks` function in each top-level http(s) document
// (see page_checks.py): announce the document, check it once it is parsed and styled, and
// report through the exposed bindings.
const id = Math.random().toString(36).slice(2) + '.' + Date.now();
window.__lifelinePageOpened(id, location.href);
const run = async () => {
  if (document.contentType !== 'text/html') {  // a text or JSON response: nothing to look at
    window.__lifelinePageChecked(id, location.href, [], []);
    return;
  }
  let problems = [];
  let violations = [];
  try {
    problems = domChecks();
    violations = (await lifelineAxe.run(document, {resultTypes: ['violations']})).violations;
  } catch (error) {
    problems.push('the page check itself failed: ' + error);
  }
  window.__lifelinePageChecked(id, location.href, problems, violations);
};
// On DOMContentLoaded (the stylesheets are in by then: base.html's deferred script waits for
// them), not on load: a document left before it finished loading never fires load.
const settle = () => requestAnimationFrame(() => setTimeout(run, 0));
if (document.readyState !== 'loading') settle();
else document.addEventListener('DOMContentLoaded', settle, {once: true});
