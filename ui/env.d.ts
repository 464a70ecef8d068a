// Stylesheets imported for their side effect (bundled by Vite/WXT into the page's CSS).
declare module '*.css';
