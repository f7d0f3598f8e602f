// The checks axe does not make (see page_checks.py): a function of no arguments that
// returns the problems a person would see, in plain words.
() => {
  const problems = [];
  const title = document.querySelector('head > title');
  const titleText = title ? title.textContent : '';
  if (!titleText.trim()) {
    problems.push('the page has no <title>');
  } else if (/[<>]|\{\{|\{%|%\}/.test(titleText)) {
    problems.push('<title> holds markup or template syntax: ' + JSON.stringify(titleText.trim().slice(0, 160)));
  }

  const text = document.body ? document.body.innerText : '';
  const rules = [
    [/\{\{|\{%|%\}|\{#|#\}/, 'template syntax'],
    [/"\s*(?:\/?>|[a-z][a-z-]*=["'])/i, 'stray attribute text'],
    [/<\/?(?:a|p|div|span|section|article|aside|h[1-6]|ul|ol|li|dl|dt|dd|form|input|button|select|textarea|table|thead|tbody|tr|td|th|main|nav|header|footer|label|strong|em|code|pre|br|img|svg)(?:\s[^<>]*)?\/?>/i, 'markup'],
  ];
  for (const [pattern, what] of rules) {
    const match = pattern.exec(text);
    if (match) {
      const around = text.slice(Math.max(0, match.index - 40), match.index + 40).replace(/\s+/g, ' ');
      problems.push(what + ' in the visible text: ' + JSON.stringify(around));
    }
  }

  const h1s = document.querySelectorAll('h1').length;
  if (h1s !== 1) problems.push(h1s + ' h1 elements (a page has exactly one)');

  const sectioning = 'article, aside, main, nav, section, [role]';
  const topLevel = (selector, role) => [...document.querySelectorAll(selector)].filter(
    (el) => el.getAttribute('role') === role
      || (!el.hasAttribute('role') && !(el.parentElement && el.parentElement.closest(sectioning)))
  ).length;
  const landmarks = {
    main: document.querySelectorAll('main, [role="main"]').length,
    banner: topLevel('header, [role="banner"]', 'banner'),
    contentinfo: topLevel('footer, [role="contentinfo"]', 'contentinfo'),
  };
  for (const [role, count] of Object.entries(landmarks)) {
    if (count !== 1) problems.push(count + ' ' + role + ' landmarks (a page has exactly one)');
  }

  const nameOf = (el) => {
    const label = el.getAttribute('aria-label');
    if (label) return label.trim();
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    return ids.map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  };
  const seen = new Set();
  for (const nav of document.querySelectorAll('nav, [role="navigation"]')) {
    const name = nameOf(nav);
    if (!name) problems.push('a navigation landmark has no name (aria-label)');
    else if (seen.has(name)) problems.push('two navigation landmarks are both named ' + JSON.stringify(name));
    seen.add(name);
  }
  return problems;
}
