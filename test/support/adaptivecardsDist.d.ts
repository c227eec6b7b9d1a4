// The UMD build has the same API as the package's (broken-under-Node) ESM entry; borrow its types.
declare module 'adaptivecards/dist/adaptivecards.js' {
  export * from 'adaptivecards';
}
