/** The site icon: an andon light (red, yellow, green), as SVG so it stays sharp at any size. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect x="9" y="1" width="14" height="30" rx="4" fill="#1f2328"/>' +
  '<circle cx="16" cy="8" r="4" fill="#d93025"/><circle cx="16" cy="16" r="4" fill="#f2b600"/>' +
  '<circle cx="16" cy="24" r="4" fill="#1e8e3e"/></svg>';

/** The `<link>` each page's head carries; browsers that ask for /favicon.ico get the same SVG. */
export const FAVICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">';
