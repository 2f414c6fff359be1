"""The records the hub's Tryton databases need, found or created by natural key.

Run by src/stack/tryton.ts with the venv's Python, once on each freshly built template and again
on every start, so a re-run changes nothing that is already right:

    python tryton_setup.py <trytond.conf> erp=<database> wms=<database>

In-process rather than over JSON-RPC: a database cloned from the shared template holds the
template's passwords, and only the ORM can set the profile's own without knowing the old ones
(Tryton keeps argon2 hashes). It runs as user 0 (root), so the set-up's rows never carry the hub
user's write_uid, by which the connector recognises its own writes.

The passwords come from the environment (TRYTON_HUB_PASSWORD, TRYTON_ADMIN_PASSWORD), never from
argv, which any user can read in /proc. Prints one JSON line: what each database holds.
"""
import json
import os
import sys

from trytond import config

HUB_LOGIN = 'hub'
COMPANY = 'Hub Shop'
WAREHOUSE = 'WH'
WEB_SHOP = 'Medusa'
CUSTOMER = 'Medusa customer'
BIN = 'A-01'


def find_or_create(Model, domain, values):
    found = Model.search(domain, limit=1)
    if found:
        return found[0]
    record, = Model.create([values])
    return record


def ensure_password(User, user, password):
    # Verifying costs what hashing does, but leaves res_user untouched on an unchanged secret.
    # _get_login, because reading password_hash through the ORM always gives None.
    if not password:
        return
    _, password_hash, _ = User._get_login(user.login)
    valid = bool(password_hash) and User.check_password(password, password_hash)[0]
    if not valid:
        User.write([user], {'password': password})


def ensure_user_company(User, user, company, extra):
    values = {}
    if company not in user.companies:
        values['companies'] = [('add', [company.id])]
    if user.company != company:
        values['company'] = company.id
    for name, value in extra.items():
        if getattr(user, name) != value:
            values[name] = value.id if hasattr(value, 'id') else value
    if values:
        User.write([user], values)


def set_up(pool, kind):
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Location = pool.get('stock.location')

    eur = find_or_create(Currency, [('code', '=', 'EUR')], {'name': 'Euro', 'code': 'EUR', 'symbol': '€'})
    find_or_create(Currency, [('code', '=', 'USD')], {'name': 'US Dollar', 'code': 'USD', 'symbol': '$'})
    company = Company.search([('party.name', '=', COMPANY)], limit=1)
    if company:
        company, = company
    else:
        party, = Party.create([{'name': COMPANY}])
        company, = Company.create([{'party': party.id, 'currency': eur.id}])

    # stock creates it on activation; a database without it is not one this script can repair.
    warehouse, = Location.search([('code', '=', WAREHOUSE), ('type', '=', 'warehouse')], limit=1)

    admin, = User.search([('login', '=', 'admin')], limit=1)
    ensure_user_company(User, admin, company, {})
    ensure_password(User, admin, os.environ.get('TRYTON_ADMIN_PASSWORD'))

    # administrator: Tryton 8 grants a flagged user the access rights of every group (models,
    # buttons, wizards), which is what an integration that touches products, sales, shipments,
    # moves and inventories needs; group by group, each new flow would have to find its missing
    # group the hard way. It is still a user of its own, with its own uid.
    hub = find_or_create(User, [('login', '=', HUB_LOGIN)], {'login': HUB_LOGIN, 'name': 'Integration hub'})
    ensure_user_company(User, hub, company, {'administrator': True, 'warehouse': warehouse})
    ensure_password(User, hub, os.environ.get('TRYTON_HUB_PASSWORD'))

    result = {'company': COMPANY, 'warehouse': WAREHOUSE, 'hubUserId': hub.id, 'adminUserId': admin.id}
    if kind == 'erp':
        Shop = pool.get('web.shop')
        customer = Party.search([('name', '=', CUSTOMER)], limit=1)
        if customer:
            customer, = customer
        else:
            customer, = Party.create([{
                'name': CUSTOMER,
                'addresses': [('create', [{'street_unstructured': 'Hub Street 1', 'postal_code': '10115', 'city': 'Berlin'}])],
            }])
        shop = find_or_create(Shop, [('name', '=', WEB_SHOP)], {
            'name': WEB_SHOP,
            'company': company.id,
            'currency': eur.id,
            'warehouses': [('add', [warehouse.id])],
        })
        # Not the shop's guest party: Tryton refuses to quote a sale to a shop's guest ("select
        # another party instead of the guest"), and every Medusa order is sold to this customer.
        # Cleared too on a database set up by an earlier version of this script.
        if shop.guest_party:
            Shop.write([shop], {'guest_party': None})
        result.update(webShop=shop.name, customer=customer.name)
    else:
        storage, = Location.search([('code', '=', 'STO'), ('parent', '=', warehouse.id)], limit=1)
        find_or_create(Location, [('code', '=', BIN), ('parent', '=', storage.id)], {
            'name': f'Bin {BIN}', 'code': BIN, 'type': 'storage', 'parent': storage.id,
        })
        result.update(bin=BIN)
    return result


def main(argv):
    conf, *specs = argv
    config.update_etc(conf)
    # Imported after the config: the backend is chosen when these load.
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    out = {}
    for spec in specs:
        kind, database = spec.split('=', 1)
        if kind not in ('erp', 'wms'):
            raise SystemExit(f'unknown database kind {kind!r} (erp or wms)')
        pool = Pool(database)
        pool.init()
        # The transaction commits on a clean exit and rolls back on an exception.
        with Transaction().start(database, 0):
            out[kind] = set_up(pool, kind)
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
