// Moved to the platform with the company-name normalisation; kept for existing importers (bench).
export * from '../../platform/text/cn-admin-divisions.js';
