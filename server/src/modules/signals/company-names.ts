// Company-name normalisation lives in the platform (plain text work, shared with the CRM's
// duplicate check); the signals resolver keeps importing it from here.
export * from '../../platform/text/company-names.js';
