#!/usr/bin/env node
console.log('tinylet');
